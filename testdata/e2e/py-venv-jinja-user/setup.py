from setuptools import find_packages, setup

setup(
    name="salesreport",
    version="2.3.0",
    packages=find_packages(),
    package_data={"salesreport": ["templates/*.j2"]},
    install_requires=["Jinja2>=3.0"],
    entry_points={"console_scripts": ["salesreport=salesreport.__main__:main"]},
)
