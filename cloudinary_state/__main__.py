from cloudinary_state.cli import main

main()
